import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpIdPattern } from "../../domain/gcpNames";
import { withDependencies } from "../dependencies";
import { apisByFunction, apisOf, GoogleApi, googleApiNames } from "../../domain/gcp/googleApis";
import { MigrationComponent } from "../stateful";

export interface ProjectApisArgs {
    project: string;
}

/**
 * Every Google API the program uses (domain/gcp/googleApis.ts), enabled in the project as
 * code, so the first `pulumi up` on a fresh project does not fail on a disabled API.
 *
 * `disableOnDestroy: false`: an API is shared by everything in the project (other stacks, the
 * console, Databricks' own VMs), so neither a rollback nor a destroy of this stack turns one
 * off. `dependsOn` is not inherited by a component's children, so `dependencies` is a
 * transformation: passed in a component's options, it makes each resource under it wait for the
 * APIs its type needs.
 */
export class ProjectApis extends MigrationComponent {
    readonly services: Record<GoogleApi, gcp.projects.Service>;
    readonly dependencies: pulumi.ResourceTransformation;

    constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!gcpIdPattern.test(args.project)) {
            throw new Error(`ProjectApis ${name}: project ${JSON.stringify(args.project)}: expected a GCP project ID`);
        }
        super("migration:gcp:ProjectApis", name, {}, opts);
        this.services = Object.fromEntries(
            googleApiNames.map((service) => [
                service,
                new gcp.projects.Service(
                    `${name}-${service.split(".")[0]}`,
                    { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
                    { parent: this },
                ),
            ]),
        ) as Record<GoogleApi, gcp.projects.Service>;

        this.dependencies = ({ type, name: resourceName, props, opts: resourceOpts }) => {
            const apis = apisOf(type);
            if (!apis) return undefined;
            return { props, opts: { ...resourceOpts, dependsOn: withDependencies(resourceName, resourceOpts.dependsOn, this.servicesFor(apis)) } };
        };
        this.registerOutputs({ services: googleApiNames });
    }

    /** The services of these APIs. */
    servicesFor(apis: readonly GoogleApi[]): gcp.projects.Service[] {
        return apis.map((api) => this.services[api]);
    }

    /** The services a provider function needs, for its invoke options' `dependsOn`. */
    servicesForFunction(token: string): gcp.projects.Service[] {
        const apis = apisByFunction[token];
        if (!apis) throw new Error(`ProjectApis: provider function ${JSON.stringify(token)} is not in apisByFunction (domain/gcp/googleApis.ts)`);
        return this.servicesFor(apis);
    }
}
