export declare function runProgram(entry: URL): Promise<void>;
