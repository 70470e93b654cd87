// deploy/: the Kubernetes manifests validate against the Kubernetes API schema offline
// (kubernetes-models: types, enums and required fields; it lets unknown fields through, so the
// fields a fleet depends on are asserted by path below), agree with each other (shard count,
// labels, ConfigMap and claim names), and the files the Dockerfile copies and the ConfigMap's
// request file are what the repository has and the CLI reads.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { readRequestFile } from '../../src/requests/request-file.js';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const DIR = repo('deploy/kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } };

const MODELS: Record<string, (doc: never) => { validate(): void }> = {
  'v1/ConfigMap': (doc) => new ConfigMap(doc),
  'v1/PersistentVolumeClaim': (doc) => new PersistentVolumeClaim(doc),
  'batch/v1/Job': (doc) => new Job(doc),
};

function validate(doc: Manifest): void {
  const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!model) throw new Error(`no model for ${doc.apiVersion} ${doc.kind}`);
  model(doc as never).validate();
}

const manifests: { file: string; doc: Manifest }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => ({ file, doc: d.toJS() as Manifest })));
const byName = (kind: string, name: string) => manifests.find((m) => m.doc.kind === kind && m.doc.metadata.name === name)!.doc;
const job = byName('Job', 'ratetest') as unknown as IJob;
const mergeJob = byName('Job', 'ratetest-merge') as unknown as IJob;
const files = byName('ConfigMap', 'ratetest-files') as unknown as IConfigMap;
const claim = byName('PersistentVolumeClaim', 'ratetest-results') as unknown as IPersistentVolumeClaim;
const env = (j: IJob, name: string) => j.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === name)?.value;

describe('deploy/kubernetes manifests', () => {
  it('are four documents, each valid against the Kubernetes API schema', () => {
    expect(manifests.map((m) => `${m.file}: ${m.doc.kind}/${m.doc.metadata.name}`).sort()).toEqual([
      'configmap.yaml: ConfigMap/ratetest-files',
      'job.yaml: Job/ratetest',
      'merge-job.yaml: Job/ratetest-merge',
      'results-pvc.yaml: PersistentVolumeClaim/ratetest-results',
    ]);
    for (const { doc } of manifests) expect(() => validate(doc), `${doc.kind}/${doc.metadata.name}`).not.toThrow();
  });

  it('the validation catches a broken Job (so the test above can fail)', () => {
    const broken = structuredClone(job) as unknown as Manifest & { spec: { completions: unknown } };
    broken.spec.completions = 'four';
    expect(() => validate(broken)).toThrow(/completions must be integer/);
    const noContainers = structuredClone(job) as unknown as Manifest & { spec: { template: { spec: { containers?: unknown } } } };
    delete noContainers.spec.template.spec.containers;
    expect(() => validate(noContainers)).toThrow(/containers/);
  });

  it('the fleet is an Indexed Job of N pods, N the same in every place, never retried', () => {
    const spec = job.spec!;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    expect(env(job, 'RATETEST_SHARDS')).toBe(String(spec.completions));
    expect(env(mergeJob, 'RATETEST_SHARDS')).toBe(String(spec.completions));
    expect(spec.backoffLimit).toBe(0);
    expect(spec.template.spec!.restartPolicy).toBe('Never');
  });

  it('spreads the shards over nodes by a label selector that matches the shards\' own labels', () => {
    const term = job.spec!.template.spec!.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0]!.podAffinityTerm;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(job.spec!.template.metadata!.labels).toMatchObject(term.labelSelector!.matchLabels!);
  });

  it('runs the image\'s entrypoint with the start instant left to render, resources requested as limited, the files mounted', () => {
    const container = job.spec!.template.spec!.containers[0]!;
    expect(container.command).toBeUndefined();
    expect(env(job, 'RATETEST_START_AT')).toBe('__START_AT__');
    expect(readFileSync(join(DIR, 'job.yaml'), 'utf8').match(/__START_AT__/g)).toHaveLength(2);
    expect(container.resources!.requests).toEqual(container.resources!.limits);
    expect(container.args).not.toContain('--shard');
    const volumes = job.spec!.template.spec!.volumes!;
    expect(volumes.find((v) => v.name === 'files')!.configMap!.name).toBe(files.metadata!.name);
    expect(container.volumeMounts!.map((m) => m.mountPath).sort()).toEqual(['/etc/ratetest', env(job, 'RATETEST_RESULTS')]);
    const metricsPort = container.args![container.args!.indexOf('--metrics-port') + 1];
    expect(container.ports![0]!.containerPort).toBe(Number(metricsPort));
    expect(job.spec!.template.metadata!.annotations!['prometheus.io/port']).toBe(metricsPort);
  });

  it('the merge job reads the claim the fleet would write to, and gates with --expect-shards', () => {
    const volume = mergeJob.spec!.template.spec!.volumes![0]!;
    expect(volume.persistentVolumeClaim!.claimName).toBe(claim.metadata!.name);
    expect(claim.spec!.accessModes).toEqual(['ReadWriteMany']);
    expect(mergeJob.spec!.template.spec!.containers[0]!.command!.join(' ')).toMatch(/ratetest merge --expect-shards "\$RATETEST_SHARDS" --threshold .* \/results\/shard-\*\.json$/);
  });

  it('the ConfigMap\'s request file is one the CLI reads, at the path the Job passes', () => {
    const container = job.spec!.template.spec!.containers[0]!;
    expect(container.args![container.args!.indexOf('--requests-file') + 1]).toBe('/etc/ratetest/requests.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'ratetest-deploy-'));
    try {
      writeFileSync(join(dir, 'requests.yaml'), files.data!['requests.yaml']!);
      expect(readRequestFile(join(dir, 'requests.yaml')).map((r) => r.name)).toEqual(['products', 'order']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile and the GitHub Actions recipe', () => {
  it('the Dockerfile copies files the repository has, and runs the entrypoint', () => {
    const dockerfile = readFileSync(repo('Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(sources.length).toBeGreaterThan(4);
    for (const source of sources) expect(existsSync(repo(source)), source).toBe(true);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["ratetest-shard"\]$/m);
  });

  it('the matrix has one job per shard, all given one start instant, and the merge runs even when a shard failed', () => {
    const workflow = parse(readFileSync(repo('deploy/github-actions/fleet.yml'), 'utf8')) as {
      env: { SHARDS: number };
      jobs: Record<string, { needs?: string; if?: string; strategy?: { matrix: { index: number[] } }; steps: { run?: string }[] }>;
    };
    const { shard, merge } = workflow.jobs;
    expect(shard!.strategy!.matrix.index).toEqual(Array.from({ length: workflow.env.SHARDS }, (_, i) => i));
    const run = shard!.steps.map((s) => s.run ?? '').join('\n');
    expect(run).toContain('--shard "${{ matrix.index }}/$SHARDS" --start-at "${{ needs.plan.outputs.start-at }}"');
    expect([merge!.needs, merge!.if]).toEqual(['shard', 'always()']);
    expect(merge!.steps.map((s) => s.run ?? '').join('\n')).toContain('ratetest merge --expect-shards "$SHARDS"');
  });
});
