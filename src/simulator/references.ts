// Resolving the ids a request names (image, SSH keys, security groups, volumes, floating
// IP) against the store, answering 400 for unknown or unusable ones. Imports no HTTP.
import { ApiFailure, ErrorCode, invalid } from './errors.js';
import type { InstanceRecord, Ref } from './model.js';
import { gpuCount, SEED_IDS } from './seed.js';
import type { Store } from './store.js';

export interface ResolvedImage {
  ref: Ref;
  os_type: string;
}

/** An image id, slug, `slug:version` or snapshot id, usable in `region` on `type`. */
export function resolveImage(store: Store, given: string, region: string, type: string): ResolvedImage {
  const snapshot = store.findSnapshot(given);
  if (snapshot) {
    if (snapshot.status !== 'created' && snapshot.status !== 'active') {
      throw invalid(`snapshot ${given} cannot be used as an image while it is ${snapshot.status}`);
    }
    if (snapshot.region !== region) {
      throw invalid(`snapshot ${given} is in region ${snapshot.region}, not ${region}; clone it there first`);
    }
    return { ref: { id: snapshot.id, name: snapshot.name }, os_type: snapshot.os_type };
  }
  const [slug, version] = given.split(':', 2);
  const image =
    store.images.get(given) ?? [...store.images.values()].find((candidate) => candidate.slug === slug);
  if (!image) throw invalid(`unknown image "${given}": use an image id, slug, slug:version or snapshot id`);
  if (version !== undefined && image.id !== given && !(image.versions ?? []).includes(version)) {
    throw invalid(
      `image ${slug} has no version "${version}"; versions: ${(image.versions ?? []).join(', ')}`,
    );
  }
  if (!image.regions.includes(region)) {
    throw invalid(`image ${image.slug ?? image.id} is not available in region ${region}`);
  }
  if (image.requires_gpu && gpuCount(type) === 0) {
    throw new ApiFailure(
      400,
      ErrorCode.imageTypeMismatch,
      'the selected image cannot be run on this instance',
    );
  }
  return { ref: { id: image.id, name: image.name }, os_type: image.os_type };
}

export function resolveSshKeys(store: Store, ids: string[]): Ref[] {
  return ids.map((id) => {
    const key = store.sshKeys.get(id);
    if (!key) throw invalid(`unknown ssh key id "${id}"`);
    return { id: key.id, name: key.name };
  });
}

export function resolveSecurityGroup(store: Store, id: string, region: string): Ref {
  const group = store.securityGroups.get(id);
  if (!group) throw invalid(`unknown security group id "${id}"`);
  if (group.region !== region)
    throw invalid(`security group ${id} is in region ${group.region}, not ${region}`);
  return { id: group.id, name: group.name };
}

/** Omitted → the region's "standard" group; `[]` → none. */
export function resolveSecurityGroups(store: Store, ids: string[] | undefined, region: string): Ref[] {
  if (ids === undefined) {
    const standard = SEED_IDS.standard[region];
    return standard ? [resolveSecurityGroup(store, standard, region)] : [];
  }
  return [...new Set(ids)].map((id) => resolveSecurityGroup(store, id, region));
}

/** A volume that can be attached to `instance` (same region, not in use elsewhere). */
export function attachableVolume(store: Store, id: string, region: string, instanceId: string | null): Ref {
  const volume = store.volumes.get(id);
  if (!volume) throw invalid(`unknown volume id "${id}"`);
  if (volume.region !== region) throw invalid(`volume ${id} is in region ${volume.region}, not ${region}`);
  if (volume.instance && volume.instance.id !== instanceId) {
    throw invalid(`volume ${id} is not available: it is attached to instance ${volume.instance.id}`);
  }
  return { id: volume.id, name: volume.name };
}

export function attachVolume(store: Store, instance: InstanceRecord, ref: Ref): void {
  const volume = store.volumes.get(ref.id);
  if (!volume) return;
  volume.instance = { id: instance.id, name: instance.name };
  volume.status = 'in-use';
  volume.updated_at = store.now();
}

export function detachVolume(store: Store, instance: InstanceRecord, id: string): void {
  const volume = store.volumes.get(id);
  if (!volume || volume.instance?.id !== instance.id) return;
  volume.instance = null;
  volume.status = 'available';
  volume.updated_at = store.now();
}

export function attachableFloatingIp(store: Store, id: string, region: string): Ref {
  const ip = store.floatingIps.get(id);
  if (!ip) throw invalid(`unknown floating ip id "${id}"`);
  if (ip.region !== region) throw invalid(`floating ip ${id} is in region ${ip.region}, not ${region}`);
  if (ip.instance) throw invalid(`floating ip ${id} is already attached to instance ${ip.instance.id}`);
  return { id: ip.id, name: ip.name };
}
