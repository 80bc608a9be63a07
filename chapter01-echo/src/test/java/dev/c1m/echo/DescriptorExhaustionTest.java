package dev.c1m.echo;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.EchoServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real server process runs out of file descriptors (EMFILE), keeps running, and serves the
 * connections that waited in the kernel's backlog as descriptors free up. More clients wait than
 * the server can hold at once, so each is closed after its reply to make room for the next.
 */
@Timeout(60)
class DescriptorExhaustionTest {

    /** An idle server JVM holds about 8 descriptors, so this leaves room for about 30 connections. */
    private static final int DESCRIPTOR_LIMIT = 40;
    private static final int CLIENTS = 60;

    @Test
    void keepsRunningWhenOutOfDescriptorsAndServesWaitingClientsOnceSomeClose() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to lower the limit");

        try (ChildJvm server = ChildJvm.start(List.of("/usr/bin/prlimit", "--nofile=" + DESCRIPTOR_LIMIT),
                List.of("-Xmx64m"), EchoServerMain.class, "--port", "0")) {
            int port = Integer.parseInt(server.awaitLine("listening on 127.0.0.1:(\\d+)", Duration.ofSeconds(20)).group(1));
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    LineClient client = LineClient.connect(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(10));
                    clients.add(client);
                    client.send("hello " + i);
                }
                server.awaitLine("accept failed \\(Too many open files\\)", Duration.ofSeconds(20));
                assertThat(clients.getFirst().readLine()).isEqualTo("echo: hello 0");

                List<LineClient> answered = new ArrayList<>(List.of(clients.getFirst()));
                List<Integer> waiting = new ArrayList<>();
                for (int i = 1; i < CLIENTS; i++) {
                    if (answeredWithin(clients.get(i), Duration.ofMillis(200), i)) {
                        answered.add(clients.get(i));
                    } else {
                        waiting.add(i);
                    }
                }
                assertThat(waiting).as("clients left in the backlog by EMFILE").isNotEmpty();

                for (LineClient client : answered) {
                    client.close();
                }
                for (int i : waiting) {
                    LineClient client = clients.get(i);
                    client.socket().setSoTimeout(10_000);
                    String reply;
                    try {
                        reply = client.readLine();
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("client " + i + " of " + waiting + " got no reply; server output:\n"
                                + server.output(), e);
                    }
                    assertThat(reply).isEqualTo("echo: hello " + i);
                    client.close(); // frees a descriptor in the server for the next one waiting
                }
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    private static boolean answeredWithin(LineClient client, Duration wait, int id) throws IOException {
        client.socket().setSoTimeout((int) wait.toMillis());
        try {
            assertThat(client.readLine()).isEqualTo("echo: hello " + id);
            return true;
        } catch (SocketTimeoutException stillWaiting) {
            return false;
        }
    }
}
