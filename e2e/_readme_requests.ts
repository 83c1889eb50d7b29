/** The curl commands of a README code block, as requests a test can send. */

/** One `curl` command. */
export interface CurlRequest {
  method: string;
  /** As written, e.g. `localhost:3001/users`. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The curl commands of the first `sh` code block after the line that starts with `heading`. */
export function curlRequestsAfter(markdown: string, heading: string): CurlRequest[] {
  const lines = markdown.split("\n");
  const at = lines.findIndex((line) => line.replace(/^#+\s*/, "").startsWith(heading));
  if (at < 0) throw new Error(`No "${heading}" in the README`);
  const open = lines.findIndex((line, i) => i > at && line.startsWith("```"));
  const close = lines.findIndex((line, i) => i > open && line.startsWith("```"));
  if (open < 0 || close < 0) throw new Error(`No code block after "${heading}" in the README`);
  const commands = lines.slice(open + 1, close).join("\n").replace(/\\\n\s*/g, " ").split("\n");
  return commands.map((command) => command.trim()).filter((command) => command.startsWith("curl "))
    .map(parseCurl);
}

function parseCurl(command: string): CurlRequest {
  const words = shellWords(command).slice(1);
  const request: CurlRequest = { method: "GET", url: "", headers: {} };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = () => {
      const value = words[++i];
      if (value === undefined) throw new Error(`curl option ${word} has no value: ${command}`);
      return value;
    };
    if (word.startsWith("-X")) request.method = word.length > 2 ? word.slice(2) : next();
    else if (word === "-H") {
      const header = next();
      const colon = header.indexOf(":");
      request.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (word === "-d" || word === "--data") {
      request.body = next();
      if (request.method === "GET") request.method = "POST";
    } else if (!word.startsWith("-")) request.url = word;
  }
  if (request.url === "") throw new Error(`curl command without a URL: ${command}`);
  return request;
}

/** Words as a POSIX shell splits them, for the quoting README commands use ('...' and "..."). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (char === "'" || char === '"') {
      const end = command.indexOf(char, i + 1);
      if (end < 0) throw new Error(`Unclosed quote in: ${command}`);
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}
