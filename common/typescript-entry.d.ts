export declare function runTypeScript(entry: URL): Promise<void>;
