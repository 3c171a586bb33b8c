/**
 * Which project a call is about and what the caller may do there. Every tool and route asks here first; the
 * check itself is the ProjectResolver's (project-ref.ts), so there is one.
 */
import type { Access } from "../core/access";
import type { Runtime } from "../core/ports";
import type { Identity, Project, ProjectAccess } from "../core/records";
import type { ProjectStore } from "./ports";
import { projectNotFound, ProjectResolver } from "./project-ref";

export class ProjectAccessService {
  constructor(
    private readonly store: ProjectStore,
    private readonly runtime: Runtime,
  ) {}

  /** The project a call is about, if the caller may do `mode` there (see ProjectResolver: the one check). */
  async resolveProject(
    identity: Identity,
    slug: string,
    mode: Access,
    options: { create?: boolean } = {},
  ): Promise<Project> {
    return (await this.resolveProjectAccess(identity, slug, mode, options)).project;
  }

  /** resolveProject with the owning team and the caller's role there, for account routes about a project. */
  resolveProjectAccess(
    identity: Identity,
    slug: string,
    mode: Access,
    options: { create?: boolean } = {},
  ): Promise<ProjectAccess> {
    return new ProjectResolver(this.store, this.runtime).resolve(identity, slug, mode, options.create !== false);
  }

  /** The team that owns a project the caller already resolved, with their role in it. */
  async projectAccess(identity: Identity, project: Project): Promise<ProjectAccess> {
    const found = await this.store.projectAccess(project.id, identity.userId);
    if (!found) throw projectNotFound(project.slug);
    return found;
  }
}
