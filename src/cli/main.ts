// The `seeable` command: one file per subcommand in src/cli/.
import { Command } from 'commander';
import '../gpu/node.ts';
import { registerConvert } from './convert.ts';
import { registerFaces } from './faces.ts';
import { registerGallery } from './gallery.ts';
import { registerPrepare } from './prepare.ts';
import { registerEval } from './eval.ts';
import { registerReport } from './report.ts';
import { registerScore } from './score.ts';
import { registerTrain } from './train.ts';
import { registerValidate } from './validate.ts';

export function buildProgram(): Command {
  const program = new Command();
  program.name('seeable').description('SeeABLE deepfake detector on a WebGPU engine').showHelpAfterError();
  registerPrepare(program);
  registerGallery(program);
  registerConvert(program);
  registerTrain(program);
  registerScore(program);
  registerEval(program);
  registerValidate(program);
  registerFaces(program);
  registerReport(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    console.error(`seeable: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
