import { PolicyPack } from "@pulumi/policy";
import { packName } from "../domain/packContract";
import { packArgs } from "./all";

new PolicyPack(packName, packArgs);
