/**
 * The epoch files of an ensemble member: the accepted epoch and the leader it was promised to
 * survive a restart together (one file, one rename), and files written before the leader was
 * recorded still read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEpochs } from '../../../server/ensemble.js';
import { removeAllTempDirs, tempDir } from '../../helpers/index.js';

afterEach(async () => {
  await removeAllTempDirs();
});

async function dataDirWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('corral-epochs-');
  mkdirSync(join(dir.path, 'version-2'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, 'version-2', name), text);
  return dir.path;
}

describe('readEpochs', () => {
  it('a new member starts at epoch 0 promised to nobody', async () => {
    expect(await readEpochs(await dataDirWith({}))).toEqual({ acceptedEpoch: 0, acceptedLeader: 0, currentEpoch: 0 });
  });

  it('reads the accepted epoch with the leader it was promised to', async () => {
    const dir = await dataDirWith({ acceptedEpoch: '7\n3\n', currentEpoch: '6' });
    expect(await readEpochs(dir)).toEqual({ acceptedEpoch: 7, acceptedLeader: 3, currentEpoch: 6 });
  });

  it('an accepted epoch file without a leader line means no leader (ZooKeeper-style file)', async () => {
    const dir = await dataDirWith({ acceptedEpoch: '5', currentEpoch: '5' });
    expect(await readEpochs(dir)).toEqual({ acceptedEpoch: 5, acceptedLeader: 0, currentEpoch: 5 });
  });

  it('refuses a damaged epoch file', async () => {
    await expect(readEpochs(await dataDirWith({ acceptedEpoch: 'x' }))).rejects.toThrow(/acceptedEpoch: not an epoch/);
  });
});
