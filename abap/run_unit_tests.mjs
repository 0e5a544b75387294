// Runs the ABAP Unit tests the transpiler wrote to output/, like its own
// output/index.mjs, but goes on after a failure, prints each failure's ABAP
// message, and ends with a "N passed, N failed" line (exit code 1 on failure).
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const outputDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "output");
await import(pathToFileURL(path.join(outputDir, "init.mjs")).href);

// The transpiler lists the test classes in getData() of its generated runner.
const runnerSource = await readFile(path.join(outputDir, "index.mjs"), "utf8");
const match = runnerSource.match(/function getData\(\) \{[\s\S]*?\n\}\n/);
if (!match) {
  console.error("output/index.mjs has no getData(): transpile with write_unit_tests first");
  process.exit(2);
}
const testClasses = new Function(`${match[0]}\nreturn getData();`)();

async function describeError(error) {
  if (error && typeof error.get_text === "function") {
    const text = await error.get_text();
    const where = error.EXTRA_CX ? ` (${error.EXTRA_CX.INTERNAL_FILENAME}:${error.EXTRA_CX.INTERNAL_LINE})` : "";
    return `${error.constructor.name}: ${text?.get ? text.get() : text}${where}`;
  }
  return error?.stack ?? String(error);
}

let passed = 0;
let failed = 0;
for (const testClass of testClasses) {
  // the generated file names are relative URLs, already percent-encoded
  const module = await import(new URL(testClass.filename, pathToFileURL(`${outputDir}/`)).href);
  const localClass = module[testClass.localClass];
  if (localClass.class_setup) await localClass.class_setup();
  for (const method of testClass.methods) {
    const name = `${testClass.objectName} ${testClass.localClass}->${method.name}`;
    if (method.skip) {
      console.log(`SKIP ${name}`);
      continue;
    }
    try {
      const test = await new localClass().constructor_();
      const instance = test.FRIENDS_ACCESS_INSTANCE;
      if (instance.setup) await instance.setup();
      await instance[method.name]();
      if (instance.teardown) await instance.teardown();
      passed += 1;
      console.log(`PASS ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name}\n     ${await describeError(error)}`);
    }
  }
  if (localClass.class_teardown) await localClass.class_teardown();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
