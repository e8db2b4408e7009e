import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked, type TrackedProcess } from '../../helpers/index.js';
import { type ClientAvailability, type Json, runJsonClient } from './client-process.js';

/** Where Debian's libzookeeper-java and libcurator-*-java put their jars. */
const javaDir = '/usr/share/java';

/**
 * The jars the scenarios compile and run against. Their manifests' Class-Path entries bring in
 * the rest (netty, guava, jackson, commons-*, metrics); slf4j-nop keeps the clients' logs quiet.
 */
const jars = [
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'curator-client.jar',
  'curator-framework.jar',
  'curator-recipes.jar',
  'curator-x-discovery.jar',
  'slf4j-nop.jar',
].map((jar) => join(javaDir, jar));

/** The Java sources, compiled together at test time. */
const sources = ['ScenarioSupport.java', 'ZkClientScenarios.java', 'CuratorScenarios.java'].map((file) =>
  fileURLToPath(new URL(`./${file}`, import.meta.url)),
);

/** JVM flags for short-lived client JVMs on the 2-core machines (as the harness uses for zkCli). */
const jvmFlags = ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx256m'];

let cachedAvailability: ClientAvailability | undefined;

/** Whether java, javac and the ZooKeeper and Curator jars are installed. */
export function javaClientsAvailability(): ClientAvailability {
  if (cachedAvailability !== undefined) return cachedAvailability;
  const missing = jars.filter((jar) => !existsSync(jar));
  if (missing.length > 0) {
    cachedAvailability = { ok: false, reason: `missing ${missing.join(', ')} (libcurator-*-java, libzookeeper-java)` };
  } else if (spawnSync('javac', ['-version'], { encoding: 'utf8' }).status !== 0) {
    cachedAvailability = { ok: false, reason: 'javac is not on PATH (openjdk-17-jdk-headless)' };
  } else {
    cachedAvailability = { ok: true, reason: '' };
  }
  return cachedAvailability;
}

/** The compiled scenario classes of one test run, and how to remove them. */
export interface JavaBuild {
  /** The directory holding the .class files. */
  readonly classesDir: string;
  /** The run-time classpath: the classes, then the jars. */
  readonly classpath: string;
}

let build: Promise<JavaBuild> | undefined;

/**
 * Compiles the scenario sources once per test process (javac takes seconds) into a fresh temp
 * dir; later calls get the same build. {@link disposeJavaBuild} removes it.
 */
export function javaBuild(): Promise<JavaBuild> {
  build ??= compile();
  return build;
}

async function compile(): Promise<JavaBuild> {
  // Not the harness's tempDir: reapAll() after each server's suite would remove the classes.
  const classesDir = await mkdtemp(join(tmpdir(), 'corral-interop-java-'));
  const proc = spawnTracked('javac', [
    ...jvmFlags.map((flag) => `-J${flag}`),
    '-nowarn',
    '-d',
    classesDir,
    '-cp',
    jars.join(':'),
    ...sources,
  ]);
  const code = await proc.exited;
  if (code !== 0) {
    await rm(classesDir, { recursive: true, force: true });
    throw new Error(`javac exited ${code}:\n${proc.stderr()}`);
  }
  return { classesDir, classpath: [classesDir, ...jars].join(':') };
}

/** Removes the compiled classes, if any were made. */
export async function disposeJavaBuild(): Promise<void> {
  if (build === undefined) return;
  const done = await build.catch(() => undefined);
  build = undefined;
  if (done !== undefined) await rm(done.classesDir, { recursive: true, force: true });
}

/** Runs `java <mainClass> <connectString> <scenario>` and returns the JSON it prints. */
export async function runJavaScenario(
  mainClass: 'ZkClientScenarios' | 'CuratorScenarios',
  connectString: string,
  scenario: string,
): Promise<Json> {
  const { classpath } = await javaBuild();
  return runJsonClient('java', [...jvmFlags, '-cp', classpath, mainClass, connectString, scenario], {
    timeoutMs: 90_000,
  });
}

/** Starts one Curator LeaderLatch member process (CuratorScenarios latch-member ID). */
export async function startLatchMember(connectString: string, id: string): Promise<TrackedProcess> {
  const { classpath } = await javaBuild();
  return spawnTracked('java', [...jvmFlags, '-cp', classpath, 'CuratorScenarios', connectString, 'latch-member', id]);
}
