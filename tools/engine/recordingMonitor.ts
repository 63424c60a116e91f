/**
 * A mock resource monitor that records every registration with the options the real engine
 * would see. The SDK's `MockMonitor` hands its mocks only type, name, inputs and provider;
 * the request itself carries parent, protect, retainOnDelete and dependencies, which a
 * rollback preview and the policy pack need, so they are read here before delegating.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { GraphResource, isProviderType, packageOf, stackType } from "../model/graph";
import { decodeWire } from "./wire";

/** The parts of the SDK's RegisterResourceRequest that are read (generated protobuf getters). */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getImportid(): string;
    getVersion(): string;
    getDeletedwith(): string;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** The parts of the SDK's ReadResourceRequest that are read. */
interface ReadRequest {
    getId(): string;
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface ReadResponse {
    getUrn(): string;
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, response: unknown) => void;

/** A resource the monitor could not register (its mock answer threw), named for the user. */
export class RegistrationFailure extends Error {
    constructor(
        readonly type: string,
        readonly resourceName: string,
        readonly urn: string,
        readonly cause: unknown,
    ) {
        super(`resource ${type} "${resourceName}" (${urn}) could not be registered: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.name = "RegistrationFailure";
    }
}

export interface RecordingOptions {
    /** The provider version the program's host would load for a package the request names no version of. */
    installedVersion?: (pkg: string) => string | undefined;
    onProgress?: (registered: number, lastUrn: string) => void;
}

export class RecordingMonitor extends MockMonitor {
    /** Registrations in the order the program made them. */
    readonly registrations: GraphResource[] = [];
    /** Tokens of provider functions that failed, in call order. */
    readonly failedCalls: string[] = [];
    /** Told of a failure that ends the evaluation. */
    onFailure: (error: Error) => void = () => undefined;
    private readonly byUrn = new Map<string, GraphResource>();

    constructor(
        mocks: Mocks,
        private readonly options: RecordingOptions = {},
    ) {
        super(mocks);
        // URNs as the engine makes them: a child of the root stack carries no parent type.
        (this as unknown as { newUrn: typeof engineUrn }).newUrn = engineUrn;
    }

    override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
        await super.registerResource(req, (err, response) => {
            if (err) {
                const urn = engineUrn(req.getParent(), req.getType(), req.getName());
                this.onFailure(new RegistrationFailure(req.getType(), req.getName(), urn, err));
            } else {
                this.record(req, response as RegisterResponse);
            }
            callback(err, response);
        });
    }

    override async invoke(req: { getTok(): string }, callback: Callback): Promise<void> {
        await super.invoke(req, (err, response) => {
            if (err) this.failedCalls.push(req.getTok());
            callback(err, response);
        });
    }

    /** The inputs of a recorded provider, by reference (`urn::id`). */
    providerInputs(reference: string): Record<string, unknown> | undefined {
        return this.byUrn.get(reference.slice(0, reference.lastIndexOf("::")))?.inputs;
    }

    /** Reads (`Resource.get`, stack references) are recorded as external resources. */
    override async readResource(req: ReadRequest, callback: Callback): Promise<void> {
        await super.readResource(req, (err, response) => {
            if (!err) this.recordRead(req, response as ReadResponse);
            callback(err, response);
        });
    }

    override registerResourceOutputs(
        req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
        callback: Callback,
    ): void {
        const recorded = this.byUrn.get(req.getUrn());
        if (recorded) recorded.outputs = decodeObject(req.getOutputs());
        super.registerResourceOutputs(req, callback);
    }

    private recordRead(req: ReadRequest, response: ReadResponse): void {
        const resource: GraphResource = {
            urn: response.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: true,
            external: true,
            id: req.getId(),
            ...(req.getParent() ? { parent: req.getParent() } : {}),
            ...(req.getProvider() ? { provider: req.getProvider() } : {}),
            inputs: decodeObject(req.getProperties()),
            outputs: decodeObject(response.getProperties()),
            protect: false,
            retainOnDelete: false,
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            propertyDependencies: {},
            ignoreChanges: [],
        };
        this.registrations.push(resource);
        this.byUrn.set(resource.urn, resource);
    }

    private record(req: RegisterRequest, response: RegisterResponse): void {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((value, key) => {
            const urns = value.getUrnsList();
            if (urns.length > 0) propertyDependencies[key] = [...urns].sort();
        });
        const custom = req.getCustom();
        const resource: GraphResource = {
            urn: response.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom,
            ...(custom && response.getId() ? { id: response.getId() } : {}),
            ...(req.getParent() ? { parent: req.getParent() } : {}),
            ...(req.getProvider() ? { provider: req.getProvider() } : {}),
            inputs: decodeObject(req.getObject()),
            outputs: custom ? decodeObject(response.getObject()) : {},
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            propertyDependencies,
            ...(req.getImportid() ? { importId: req.getImportid() } : {}),
            ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
            ignoreChanges: req.getIgnorechangesList(),
        };
        const additionalSecretOutputs = req.getAdditionalsecretoutputsList();
        if (additionalSecretOutputs.length > 0) resource.additionalSecretOutputs = [...additionalSecretOutputs];
        if (custom && !isProviderType(resource.type)) {
            const version = req.getVersion() || this.options.installedVersion?.(packageOf(resource.type));
            if (version) resource.providerVersion = version;
        }
        this.registrations.push(resource);
        this.byUrn.set(resource.urn, resource);
        this.options.onProgress?.(this.registrations.length, resource.urn);
    }
}

function engineUrn(parent: string, type: string, name: string): string {
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    const parentType = parent ? parent.split("::")[2] : undefined;
    const qualified = parentType && parentType !== stackType ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

function decodeObject(struct: { toJavaScript(): Record<string, unknown> } | undefined): Record<string, unknown> {
    if (!struct) return {};
    return decodeWire(struct.toJavaScript()) as Record<string, unknown>;
}
