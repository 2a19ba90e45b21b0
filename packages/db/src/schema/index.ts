export * from "./abuse";
export * from "./accounts";
export * from "./auth";
export * from "./billing";
export * from "./buttons";
export * from "./calls";
export * from "./contact";
export * from "./policy";
