package dev.c1m.tuning.bench;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.server.WorkerSupervisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bare benchmark server keeps ServerNodeMain's contract, so the C1M run's supervisor and report can drive it. */
@Timeout(60)
class BareHeartbeatServerMainTest {

    private WorkerSupervisor supervisor;

    @AfterEach
    void stopWorker() throws InterruptedException {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    void answersPingsWithPongsAndOtherLinesWithEchoesAndCountsThemInTheSupervisorsMetrics() throws Exception {
        supervisor = WorkerSupervisor.start(BareHeartbeatServerMain.class, 1, "127.0.0.1", 0,
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of());

        try (LineClient client = LineClient.connect(new InetSocketAddress("127.0.0.1", supervisor.port()), Duration.ofSeconds(10))) {
            assertThat(client.request("PING 7 123456")).isEqualTo("PONG 7 123456");
            assertThat(client.request("hello")).isEqualTo("echo: hello");
            assertThat(client.request("PING 8 123457")).isEqualTo("PONG 8 123457");
            String metrics = supervisor.scrapeSum();
            assertThat(metrics).containsPattern("(?m)^c1m_heartbeats_total 2$").containsPattern("(?m)^c1m_connections 1$");

            ShutdownReport stopped = supervisor.stop(Duration.ofSeconds(5));
            assertThat(stopped.openAtStart()).as("the drained line counts the connection still open").isEqualTo(1);
        }
    }

    @Test
    void pausesAcceptingOnEmfileInsteadOfSpinningKeepsAnsweringAndServesTheBacklogOnceDescriptorsFree() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to lower the limit");
        int clientCount = 60; // an idle bare server JVM holds about 15 of its 48 descriptors
        try (ChildJvm server = ChildJvm.start(List.of("/usr/bin/prlimit", "--nofile=48"),
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                BareHeartbeatServerMain.class, "--port", "0", "--metrics-port", "-1")) {
            int port = Integer.parseInt(server.awaitLine("listening on \\S+:(\\d+)", Duration.ofSeconds(20)).group(1));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < clientCount; i++) {
                    clients.add(LineClient.connect(address, Duration.ofSeconds(10)));
                    clients.get(i).send("PING " + i);
                }
                server.awaitLine("accept failed", Duration.ofSeconds(20));
                long firstFailureNanos = System.nanoTime();
                int accepted = answeredInOrder(clients);
                assertThat(accepted).as("connections accepted before EMFILE").isBetween(11, clientCount - 1);

                Thread.sleep(1_500); // real time: the backoff's own schedule is what is under test
                long elapsedMillis = (System.nanoTime() - firstFailureNanos) / 1_000_000;
                long failures = server.output().lines().filter(line -> line.startsWith("accept failed")).count();
                // Pauses of 5, 10, 20, ... ms (capped at 1 s) allow one failed accept per pause:
                // at most about log2(elapsed / 5 ms) + 2 of them. A spinning loop makes thousands.
                long bound = 64 - Long.numberOfLeadingZeros(elapsedMillis / 5 + 1) + 2 + elapsedMillis / 1_000;
                assertThat(failures).as("failed accepts in %d ms", elapsedMillis).isBetween(2L, bound);
                assertThat(clients.get(10).request("PING still")).as("a held connection, while out of descriptors")
                        .isEqualTo("PONG still");

                for (int i = 0; i < 10; i++) {
                    clients.get(i).close(); // frees ten descriptors in the server
                }
                LineClient firstWaiting = clients.get(accepted);
                firstWaiting.socket().setSoTimeout(10_000); // at most one 1 s pause away
                assertThat(firstWaiting.readLine()).as("the first connection of the backlog").isEqualTo("PONG " + accepted);
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    /** How many clients, from the first, got their PONG: the accept queue is served in order. */
    private static int answeredInOrder(List<LineClient> clients) throws Exception {
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).socket().setSoTimeout(2_000);
            try {
                assertThat(clients.get(i).readLine()).isEqualTo("PONG " + i);
            } catch (SocketTimeoutException notAccepted) {
                return i;
            }
        }
        return clients.size();
    }
}
