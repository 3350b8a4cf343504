import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dirs.js";

// A setup file: registered first, this runs after a test file's own afterAll hooks (vitest
// runs them as a stack), once its sandboxes and servers have stopped using the directories.
afterAll(() => removeTempDirs());
