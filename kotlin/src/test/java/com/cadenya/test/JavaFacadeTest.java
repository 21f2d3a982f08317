package com.cadenya.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.cadenya.Agent;
import com.cadenya.AgentPage;
import com.cadenya.AgentSpec;
import com.cadenya.AgentStatus;
import com.cadenya.CadenyaException;
import com.cadenya.CreateResourceMetadata;
import com.cadenya.VariationSelectionMode;
import com.cadenya.demo.LocalServer;
import com.cadenya.java.CadenyaFutures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated CompletableFuture façade, called from Java as a Java service would. */
class JavaFacadeTest {
    static CadenyaFutures cadenya;

    @BeforeAll
    static void connect() {
        LocalServer server = Shared.INSTANCE.getServer();
        cadenya = new CadenyaFutures(server.getApiKey(), server.getBaseUrl(), server.getWorkspaceId());
    }

    @AfterAll
    static void close() {
        cadenya.close();
    }

    static Agent createAgent(String name) throws Exception {
        return cadenya.agents()
            .create(new CreateResourceMetadata(name, null, null, null, null), new AgentSpec(AgentStatus.Draft.INSTANCE, VariationSelectionMode.Random.INSTANCE, null, null, null, null, null))
            .get();
    }

    @Test
    void createRetrieveDeleteWithFutures() throws Exception {
        Agent created = createAgent("java-" + System.nanoTime());
        Agent got = cadenya.agents().retrieve(created.getMetadata().getId()).get();
        assertEquals(created, got);
        // An empty response completes with null.
        assertNull(cadenya.agents().delete(created.getMetadata().getId()).get());
    }

    @Test
    void errorsArriveAsTheTypedExceptionInsideExecutionException() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> cadenya.agents().retrieve("agt_missing_from_java").get());
        CadenyaException.NotFound nf = assertInstanceOf(CadenyaException.NotFound.class, e.getCause());
        assertEquals(404, nf.getStatus());
    }

    @Test
    void listsPageThroughNextPageAndCallsComposeConcurrently() throws Exception {
        String prefix = "java-page-" + System.nanoTime();
        List<CompletableFuture<Agent>> creates = java.util.stream.Stream.of(1, 2, 3)
            .<CompletableFuture<Agent>>map(i -> cadenya.agents().create(new CreateResourceMetadata(prefix + "-" + i, null, null, null, null),
                new AgentSpec(AgentStatus.Draft.INSTANCE, VariationSelectionMode.Random.INSTANCE, null, null, null, null, null)))
            .collect(Collectors.toList());
        CompletableFuture.allOf(creates.toArray(new CompletableFuture[0])).get();
        int seen = 0;
        AgentPage page = cadenya.agents().list(null, null, null, 2, prefix).get();
        while (page != null) {
            seen += page.items().size();
            page = cadenya.nextPage(page).get();
        }
        assertEquals(3, seen);
    }

    @Test
    void requestOptionsCarryHeadersAndRetries() {
        // A fault armed by header: 409 once; with no retries the future fails with Conflict.
        var opts = CadenyaFutures.requestOptions(null, 0, null, java.util.Map.of("x-cadenya-fault", "id=java-" + System.nanoTime() + ";status=409"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> cadenya.account().retrieve(opts).get());
        assertInstanceOf(CadenyaException.Conflict.class, e.getCause());
        assertThrows(IllegalArgumentException.class, () -> CadenyaFutures.requestOptions(null, -1));
    }
}
