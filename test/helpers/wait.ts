// Waiting for a condition another process brings about, instead of sleeping a fixed time: the
// wait ends as soon as it holds, however loaded the machine is. The attempt limit is only a safety
// net against a hang (about two minutes); the wait is checked every 20 ms, so it ends soon after.
export async function waitFor(what: string, holds: () => boolean | Promise<boolean>, attempts = 6000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await holds()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what} after ${attempts} attempts`);
}
