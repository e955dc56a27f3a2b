// Types of scripts/prebuilt.mjs (plain JavaScript: the launcher that uses it runs on old Node).
export declare const MANIFEST_VERSION: number;
export declare const INSTALLED_PACKAGES: (root: string) => string;
export declare const manifestPath: (outfile: string) => string;
export declare function staleReason(root: string, outfile: string, recipe: string): string | null;
export declare function buildBundle(spec: { root: string; outfile: string; recipe: string; options: Record<string, unknown> }): Promise<{ inputs: number; warnings: number }>;
