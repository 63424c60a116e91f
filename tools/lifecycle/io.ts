/** The CLI's output channels, as tools/cli/main.ts passes them. */
export interface CliIoLike {
    stdout(text: string): void;
    stderr(text: string): void;
}
