import { contextResource } from "./context";
import { decisionsResource } from "./decisions";
import { openErrorsResource } from "./open-errors";
import type { ResourceDefinition } from "./resource";

export const resources: ResourceDefinition[] = [contextResource, decisionsResource, openErrorsResource];
