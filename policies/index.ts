import { PolicyPack } from "@pulumi/policy";
import { packArgs, packName } from "./all";

new PolicyPack(packName, packArgs);
