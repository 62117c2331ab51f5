package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway that stops answers its held long-polls first, so that waiting agents poll again rather than fail. */
class LongPollShutdownTest {
    @TempDir
    Path directory;

    @Test
    void stoppingTheGateway_answersAHeldLongPollWithThePendingRequest() throws Exception {
        TestGateway gateway = new TestGateway(directory);
        String agent = gateway.agent("reporter");
        String id = gateway.http
                .post(
                        "/v1/actions",
                        agent,
                        Http.json(
                                "action",
                                "db.export",
                                "resource",
                                "db/prod/customers",
                                "reason",
                                "held while the gateway stops"))
                .text("id");
        CompletableFuture<Response> held =
                CompletableFuture.supplyAsync(() -> gateway.http.get("/v1/actions/" + id + "?wait=60s", agent));
        Thread.sleep(3000); // the read is held by now (generous: test machines are shared)

        long started = System.nanoTime();
        gateway.close();
        Response answer = held.get(30, TimeUnit.SECONDS);

        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        assertThat(answer.text("status")).isEqualTo("pending");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
                .as("answered at the stop, not at the end of the wait")
                .isLessThan(30);
    }
}
