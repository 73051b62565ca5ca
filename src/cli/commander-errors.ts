// commander's argument errors in the words of a person rather than of the library
// ("command-argument value 'x' is invalid for argument 'which'" says nothing to a user).

const REWRITES: [RegExp, (...groups: string[]) => string][] = [
  [
    /^error: command-argument value '(.*)' is invalid for argument '(.*)'\. Allowed choices are (.*)\.$/,
    (value, name, choices) => `error: '${value}' is not a valid ${name}; allowed: ${choices}.`,
  ],
  [
    /^error: option '(.*?)(?: <.*>)?' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/,
    (flag, value, choices) => `error: ${flag} '${value}' is not allowed; allowed: ${choices}.`,
  ],
  [/^error: missing required argument '(.*)'$/, (name) => `error: ${name} is missing`],
];

export function plainCommanderError(message: string): string {
  const lines = message.split('\n');
  const first = lines[0];
  for (const [pattern, rewrite] of REWRITES) {
    const match = pattern.exec(first);
    if (match) return [rewrite(...match.slice(1)), ...lines.slice(1)].join('\n');
  }
  return message;
}
