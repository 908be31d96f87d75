// HTTP routes of the read-mostly catalog: images, availability, quotas, volumes and
// floating IPs (read only here). Shapes per models-2024-10.json and the Go client.
import { Hono } from 'hono';
import { invalid, notFound } from './errors.js';
import { type SimEnv, pageOf, type RouteDeps } from './http.js';
import { floatingIpView, type ImageRecord, imageView, snapshotAsImage, volumeView } from './model.js';
import { GPU_QUOTAS, gpuCount, gpuModel, INSTANCE_TYPES, REGIONS } from './seed.js';
import type { Simulator } from './simulator.js';
import { paginate } from './validate.js';

const IMAGE_TYPES = ['base-os', 'cloud-image', 'preconfigured', 'snapshot'];

function allImages(sim: Simulator): ImageRecord[] {
  const snapshots = sim.store
    .listSnapshots()
    .filter((s) => s.status === 'created' || s.status === 'active')
    .map(snapshotAsImage);
  return [...sim.store.images.values(), ...snapshots];
}

/** Capacity minus usage per type; types without a configured capacity are available (no count). */
function availability(sim: Simulator, region: string, placement: string) {
  const capacity = sim.settings.capacity;
  const configured = Object.keys(capacity)
    .filter((key) => key.startsWith(`${region}/`))
    .map((key) => key.slice(region.length + 1));
  const types = [...new Set([...(INSTANCE_TYPES[region] ?? []), ...configured])];
  const live = sim.store.listInstances().filter((i) => i.region === region);
  const instance_types = types.map((type) => {
    const limit = capacity[`${region}/${type}`];
    if (limit === undefined) return { type, available: true };
    const count = Math.max(0, limit - live.filter((i) => i.type === type).length);
    return { type, available: count > 0, count };
  });
  return { availability: { type: 'instances', region, placement, instance_types } };
}

/** `{quotas: [{key, capacity, used, flavors: [{flavor_name, product_name, per, used}]}]}` (assumed values). */
function quotas(sim: Simulator) {
  const live = sim.store.listInstances();
  const knownTypes = new Set([...Object.values(INSTANCE_TYPES).flat(), ...live.map((i) => i.type)]);
  const gpus = Object.entries(GPU_QUOTAS).map(([model, quota]) => {
    const flavors = [...knownTypes]
      .filter((type) => gpuModel(type) === model)
      .map((type) => ({
        flavor_name: type,
        product_name: quota.product_name,
        per: 'gpu',
        used: live.filter((i) => i.type === type).reduce((sum, i) => sum + gpuCount(i.type), 0),
      }));
    return {
      key: `gpu-nvidia-${model}`,
      capacity: quota.capacity,
      used: flavors.reduce((sum, f) => sum + f.used, 0),
      flavors,
    };
  });
  const vcpus = live.reduce((sum, i) => sum + Number(/^vcpu-(\d+)/.exec(i.type)?.[1] ?? 0), 0);
  return { quotas: [...gpus, { key: 'vcpu', capacity: 1024, used: vcpus, flavors: [] }] };
}

export function catalogRoutes({ sim }: RouteDeps): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const store = sim.store;

  app.get('/images', (c) => {
    const page = pageOf(c);
    const type = c.req.query('type');
    if (type !== undefined && !IMAGE_TYPES.includes(type)) {
      throw invalid(`type must be one of ${IMAGE_TYPES.join(', ')}, got "${type}"`);
    }
    const images = allImages(sim).filter((i) => type === undefined || i.type === type);
    return c.json(paginate('images', images, page, imageView));
  });

  app.get('/images/:id', (c) => {
    const id = c.req.param('id');
    const image = allImages(sim).find((i) => i.id === id);
    if (!image) throw notFound('image', id);
    return c.json({ image: imageView(image) });
  });

  app.get('/availability/:region/instances', (c) => {
    const region = c.req.param('region');
    if (!(REGIONS as readonly string[]).includes(region)) {
      throw invalid(`unknown region "${region}"; regions: ${REGIONS.join(', ')}`);
    }
    return c.json(availability(sim, region, c.req.query('placement') ?? 'AUTO'));
  });

  app.get('/quotas', (c) => c.json(quotas(sim)));

  app.get('/volumes', (c) => {
    const page = pageOf(c);
    store.listInstances();
    return c.json(paginate('volumes', [...store.volumes.values()], page, volumeView));
  });

  app.get('/volumes/:id', (c) => {
    store.listInstances();
    return c.json({ volume: volumeView(store.getFrom(store.volumes, 'volume', c.req.param('id'))) });
  });

  app.get('/floating-ips', (c) => {
    const page = pageOf(c);
    store.listInstances();
    return c.json(paginate('floating_ips', [...store.floatingIps.values()], page, floatingIpView));
  });

  app.get('/floating-ips/:id', (c) => {
    store.listInstances();
    const ip = store.getFrom(store.floatingIps, 'floating ip', c.req.param('id'));
    return c.json({ floating_ip: floatingIpView(ip) });
  });

  return app;
}
