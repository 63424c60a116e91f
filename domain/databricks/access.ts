/**
 * Who may use what in the workspace, as data: the roles the stack config names, the permission
 * level each role gets on each kind of object, and the principals to assign to the workspace.
 * Pure (no Pulumi import): the components build `databricks.Permissions` from it, the phases
 * read the roles from config, and the tests check the table itself.
 *
 * A principal is named the way Databricks ACLs name it: a user by e-mail, a service principal
 * by its application ID (a UUID), an account group by its display name.
 */

export type PrincipalKind = "user" | "servicePrincipal" | "group";

export interface Principal {
    kind: PrincipalKind;
    name: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isServicePrincipalId(name: string): boolean {
    return uuidPattern.test(name);
}

export function principal(name: string): Principal {
    if (name.includes("@")) return { kind: "user", name };
    if (isServicePrincipalId(name)) return { kind: "servicePrincipal", name };
    return { kind: "group", name };
}

/** The roles of the stack config (`migration:databricks.*`). */
export interface WorkspaceRoles {
    /** The single user of the dedicated all-purpose A100 cluster. */
    clusterUser: string;
    /** The service principal every job runs as, and the single user of the jobs' clusters. */
    jobsRunAs: string;
    /** Account groups that run and manage the migration's compute. */
    operators: readonly string[];
    /** Account groups that see jobs and runs, and query results on the warehouse. */
    viewers: readonly string[];
}

export type Role = keyof WorkspaceRoles;

/** Permission levels of each object kind, lowest first (Databricks' own levels). */
export const permissionLevels = {
    cluster: ["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"],
    clusterPolicy: ["CAN_USE"],
    job: ["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"],
    warehouse: ["CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE"],
} as const;

export type ObjectKind = keyof typeof permissionLevels;
export type PermissionLevel<K extends ObjectKind> = (typeof permissionLevels)[K][number];

/**
 * What each role gets on each object. The jobs' owner stays the deploying identity (an owner
 * cannot be a group, and `databricks.Permissions` keeps the creator as owner when none is
 * named); workspace admins keep CAN_MANAGE on everything.
 */
export const accessRules = {
    /** The all-purpose A100 cluster: its single user starts and restarts it. */
    a100Cluster: { kind: "cluster", levels: { clusterUser: "CAN_RESTART", operators: "CAN_MANAGE", viewers: "CAN_ATTACH_TO" } },
    /** Its policy: who may create a cluster under it (one each, `maxClustersPerUser`). */
    a100Policy: { kind: "clusterPolicy", levels: { clusterUser: "CAN_USE", operators: "CAN_USE" } },
    /** Every job. */
    job: { kind: "job", levels: { clusterUser: "CAN_MANAGE_RUN", operators: "CAN_MANAGE", viewers: "CAN_VIEW" } },
    /** The policy of each job cluster: the run-as identity launches the cluster; operators edit the job. */
    jobClusterPolicy: { kind: "clusterPolicy", levels: { jobsRunAs: "CAN_USE", operators: "CAN_USE" } },
    /** The SQL warehouse: SQL tasks and alerts run on it as the run-as identity. */
    warehouse: { kind: "warehouse", levels: { clusterUser: "CAN_USE", jobsRunAs: "CAN_USE", operators: "CAN_MANAGE", viewers: "CAN_USE" } },
} as const satisfies Record<string, { kind: ObjectKind; levels: Partial<Record<Role, string>> }>;

export type AccessObject = keyof typeof accessRules;

/** One entry of `databricks.Permissions.accessControls`. */
export interface AccessControl {
    userName?: string;
    servicePrincipalName?: string;
    groupName?: string;
    permissionLevel: string;
}

function control(p: Principal, permissionLevel: string): AccessControl {
    const field = p.kind === "user" ? "userName" : p.kind === "servicePrincipal" ? "servicePrincipalName" : "groupName";
    return { [field]: p.name, permissionLevel };
}

function principalsOf(roles: WorkspaceRoles, role: Role): string[] {
    const value = roles[role];
    return typeof value === "string" ? [value] : [...value];
}

/**
 * The access controls of an object: every principal of every role the rule names, once, at the
 * highest level any of its roles gives it (a principal may hold two roles; prod's training
 * service principal is both the cluster user and the run-as identity).
 */
export function accessControls(object: AccessObject, roles: WorkspaceRoles): AccessControl[] {
    const rule = accessRules[object];
    const order: readonly string[] = permissionLevels[rule.kind];
    const best = new Map<string, string>();
    for (const [role, level] of Object.entries(rule.levels) as [Role, string][]) {
        for (const name of principalsOf(roles, role)) {
            const current = best.get(name);
            if (current === undefined || order.indexOf(level) > order.indexOf(current)) best.set(name, level);
        }
    }
    return [...best].map(([name, level]) => control(principal(name), level));
}

/** Every principal the roles name, once: each must be assigned to the workspace before it can use anything there. */
export function workspacePrincipals(roles: WorkspaceRoles): Principal[] {
    const names = new Set<string>([roles.clusterUser, roles.jobsRunAs, ...roles.operators, ...roles.viewers]);
    return [...names].map(principal);
}

/** Problems with the roles: the run-as identity must be a service principal. */
export function workspaceRoleProblems(roles: WorkspaceRoles): string[] {
    const problems: string[] = [];
    if (!isServicePrincipalId(roles.jobsRunAs)) {
        problems.push(`jobsRunAs ${JSON.stringify(roles.jobsRunAs)}: expected a service principal's application ID (a UUID)`);
    }
    for (const role of ["operators", "viewers"] as const) {
        for (const name of roles[role]) {
            if (principal(name).kind !== "group") problems.push(`${role} ${JSON.stringify(name)}: expected an account group's name`);
        }
    }
    return problems;
}
