import type { ChatMessage } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";

/** Which unit-test prompt: aimed at the given code's bug, or any test of the task. */
export type UtPromptKind = "adversarial" | "random";

function fence(code: string, language: DebugTask["language"] = "python"): string {
  return "```" + language + "\n" + code.trimEnd() + "\n```";
}

const languageName = (language: DebugTask["language"]) =>
  language === "js" ? "JavaScript" : language === "python" ? "Python" : language;

const responseLayout = (
  entry: string,
  hypothesis: string,
  literal: string,
) => `Answer in exactly this layout:

### Hypothesis
${hypothesis}
Error Pattern: <one line naming the kind of mistake>

### Unit Test
#### Input Arguments
<reasoning about which input to use>
Arguments:
\`\`\`
${entry}(<positional arguments as ${literal}>)
\`\`\`

### Output
<reasoning about what a correct ${entry} returns for these arguments, with the right return type>
Output:
\`\`\`
<the return value as ${literal.replace(/s$/, "")}>
\`\`\``;

/**
 * The unit-test generation prompt (spec 3.2). "adversarial" shows the code, says it is wrong and
 * asks for a test that breaks it; "random" asks for any valid test of the task.
 */
export function unitTestPrompt(task: DebugTask, code: string, kind: UtPromptKind): ChatMessage[] {
  const entry = task.entryPoint;
  const name = languageName(task.language);
  const literal = task.language === "js" ? "JavaScript values" : "Python literals";
  const header = `Function signature: ${task.signature}\n\nTask:\n${task.description.trim()}`;
  if (kind === "random")
    return [
      {
        role: "user",
        content: `You write unit tests for a ${name} function.

${header}

Write ONE unit test for this function. The test must
1. call the function with a valid input, as the task describes it, and
2. give the output a correct implementation returns for that input.

${responseLayout(entry, "<step-by-step reasoning about which behaviour of the task is easy to get wrong>", literal)}`,
      },
    ];
  return [
    {
      role: "user",
      content: `You write unit tests that expose bugs in ${name} functions.

${header}

The following code for this task is incorrect:
${fence(code, task.language)}

Write ONE unit test that
1. calls the function with a valid input, as the task describes it,
2. gives the output a correct implementation returns (follow the task, not the code), and
3. makes the code above fail.

${responseLayout(entry, "<step-by-step reasoning about where the code goes wrong>", literal)}`,
    },
  ];
}

/**
 * When the engine cannot continue a partial assistant message: the response so far goes into
 * the user turn and only the Output section is asked for (spec 6).
 */
export function outputOnlyPrompt(messages: readonly ChatMessage[], prefix: string): ChatMessage[] {
  const last = messages[messages.length - 1]!;
  return [
    ...messages.slice(0, -1),
    {
      role: "user",
      content: `${last.content}

Here is the answer so far:
${prefix.trimEnd()}

Continue with the "### Output" section only: reason about the correct return value, then give it after "Output:" in a code block.`,
    },
  ];
}

/** The opening of the debugging chat: the task, and the buggy code as the model's answer. */
export function debugChatStart(task: DebugTask): ChatMessage[] {
  return [
    {
      role: "user",
      content: `Write a ${languageName(task.language)} function for this task.\n\n${fence(task.codePrompt, task.language)}\n\nGive the whole function in a \`\`\`${task.language} code block.`,
    },
    { role: "assistant", content: fence(task.buggyCode, task.language) },
  ];
}

/** Feedback on the first failing unit test only (spec 3.5 step 6). */
export function feedbackMessage(
  entryPoint: string,
  test: { input: string; output: string },
  actual: string,
  language: DebugTask["language"] = "python",
): ChatMessage {
  return {
    role: "user",
    content: `The code above is incorrect: it fails this test case.
Input: ${entryPoint}(${test.input})
Output of the code: ${actual}
Expected output: ${test.output}

Find the bug and rewrite the whole function so that it is correct. Put it in a \`\`\`${language} code block.`,
  };
}

/** Used when a round has no failing unit test to show (chat turns must alternate). */
export function reviewMessage(language: DebugTask["language"] = "python"): ChatMessage {
  return {
    role: "user",
    content: `The code above may still be incorrect. Check it against the task and give the whole corrected function in a \`\`\`${language} code block.`,
  };
}

/** The no-unit-test baseline: the model judges the code itself and fixes it (self-debugging). */
export function selfReviewMessage(language: DebugTask["language"] = "python"): ChatMessage {
  return {
    role: "user",
    content: `Review the code above against the task, without running it. Explain step by step whether it is correct, then write one line
Verdict: correct
or
Verdict: incorrect
If it is incorrect, give the whole corrected function in a \`\`\`${language} code block after the verdict.`,
  };
}
