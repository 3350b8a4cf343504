/** What `fn` throws; the test fails when it throws nothing. */
export function errorOf<E = Error>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error("expected an error");
}
