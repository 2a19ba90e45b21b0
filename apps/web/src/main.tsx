import "@cac/ui/styles.css";
import "./app.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";
import { applyTheme, readTheme } from "./lib/theme";
import { startPortalWorker } from "./push/worker";
import { router } from "./router";
import { createClients, TRPCProvider } from "./trpc";

// Before the first render, so a dark choice never flashes light.
applyTheme(readTheme());

const { queryClient, trpcClient } = createClients();

startPortalWorker((url) => void router.navigate(url));

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <RouterProvider router={router} />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
