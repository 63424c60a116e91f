/** How Google names what the program creates or refers to: one place for each rule. */

/** A project ID and a service account ID share one rule: 6-30 lowercase letters, digits or hyphens, starting with a letter. */
export const gcpIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const gcpIdAccepted = "6-30 lowercase letters, digits or hyphens, starting with a letter";

/** A user-managed service account's e-mail: `<account ID>@<project ID>.iam.gserviceaccount.com`. */
export const serviceAccountEmailPattern = new RegExp(`^${gcpIdPattern.source.slice(1, -1)}@${gcpIdPattern.source.slice(1, -1)}\\.iam\\.gserviceaccount\\.com$`);
