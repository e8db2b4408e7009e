import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { AgentConfig } from './agent-config.js';
import { ConfigError } from './config-error.js';
import { type AgentConfigOverrides, type ExtraService, parseAgentConfig } from './parse-agent-config.js';

/** Inputs of {@link loadAgentConfig}. */
export interface LoadAgentConfigOptions {
  /** Path of the agent YAML file. */
  readonly file: string;
  /** Values from cli/ (flags, env, `.env`) that win over the file's. */
  readonly overrides?: AgentConfigOverrides;
}

/** Parses YAML text, turning a syntax error into a ConfigError that names the line. */
export function parseYamlDocument(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0].line;
      throw new ConfigError(file, line === undefined ? '(syntax)' : `line ${line}`, err.message.split('\n')[0] ?? 'bad YAML');
    }
    throw err;
  }
}

async function readText(file: string, key: string, reportIn: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(reportIn, key, `cannot read "${file}": ${code}`);
  }
}

/** Reads every `*.yaml`/`*.yml` in `dir` in name order; a missing folder has no services. */
async function readServicesDir(dir: string, configFile: string): Promise<ExtraService[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(configFile, 'servicesDir', `cannot read "${dir}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const files = names.filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  const out: ExtraService[] = [];
  for (const name of files) {
    const file = join(dir, name);
    out.push({ file, value: parseYamlDocument(await readText(file, '(file)', file), file) });
  }
  return out;
}

/** Checks that every template source file is readable, so a typo refuses at start. */
async function checkSources(config: AgentConfig, file: string): Promise<void> {
  for (const [i, template] of config.templates.entries()) {
    if (template.source === undefined) continue;
    try {
      await access(template.source, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(file, `templates[${i}].source`, `cannot read "${template.source}": ${code}`);
    }
  }
}

/**
 * Reads the agent YAML file and its `services.d/` folder (the `servicesDir` key, by default
 * `services.d` beside the file), applies overrides, and validates the whole into a frozen
 * {@link AgentConfig}; throws a {@link ConfigError} on any mistake.
 */
export async function loadAgentConfig(options: LoadAgentConfigOptions): Promise<AgentConfig> {
  const file = options.file;
  const document = parseYamlDocument(await readText(file, '(file)', file), file);
  const baseDir = dirname(resolve(file));
  const declared =
    typeof document === 'object' && document !== null && 'servicesDir' in document ? document.servicesDir : undefined;
  const dirName = typeof declared === 'string' ? declared : 'services.d';
  const servicesDir = isAbsolute(dirName) ? dirName : join(baseDir, dirName);
  const extraServices = await readServicesDir(servicesDir, file);
  const config = parseAgentConfig(document, {
    file,
    extraServices,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  });
  await checkSources(config, file);
  return config;
}
