/**
 * Mount paths of the stack (EFS) as local folders: an environment value that is a mount path, or
 * a path under one, is pointed into its folder. The same rule as the LocalStack plugin's
 * `map_mounts`, which applies it to the functions; this one serves the worker tasks.
 */
export function mapMounts(
  env: Record<string, string>,
  mounts: Record<string, string>,
): Record<string, string> {
  const out = { ...env };
  for (const [name, value] of Object.entries(env)) {
    for (const [mount, folder] of Object.entries(mounts)) {
      if (value === mount || value.startsWith(`${mount}/`)) out[name] = folder + value.slice(mount.length);
    }
  }
  return out;
}
