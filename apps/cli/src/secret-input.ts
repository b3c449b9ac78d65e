// Reads a password (or community) without putting it in argv: on a terminal, prompt and read
// without echo; otherwise read one line from standard input so scripts can pipe it in.
import { CliError } from "./errors.js";
import type { InputStream, OutputStream } from "./io.js";

function readLine(stdin: InputStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const finish = (value: string | undefined) => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", onError);
      stdin.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf("\n");
      if (newline !== -1) finish(buffered.slice(0, newline));
    };
    const onEnd = () => finish(buffered === "" ? undefined : buffered);
    const onError = (error: Error) => reject(error);
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.on("error", onError);
    stdin.resume();
  });
}

function readHidden(stdin: InputStream, echo: OutputStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let typed = "";
    stdin.setRawMode?.(true);
    const finish = (value: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      echo.write("\n");
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\r" || ch === "\n") return finish(typed);
        if (ch === "\u0003" || (ch === "\u0004" && typed === "")) return finish(undefined); // Ctrl-C, Ctrl-D
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}

/** Prompts `<label> :` on a terminal; reads one line from a pipe. Never echoes the value. */
export async function readSecret(stdin: InputStream, stdout: OutputStream, label: string): Promise<string> {
  let value: string | undefined;
  if (stdin.isTTY) {
    stdout.write(`${label} :`);
    value = await readHidden(stdin, stdout);
    if (value === undefined) throw new CliError("CLI_INPUT", `${label}: input cancelled`);
  } else {
    value = await readLine(stdin);
    if (value === undefined) {
      throw new CliError("CLI_INPUT", `${label}: standard input is not a terminal and holds no line to read`);
    }
  }
  return value.endsWith("\r") ? value.slice(0, -1) : value;
}
