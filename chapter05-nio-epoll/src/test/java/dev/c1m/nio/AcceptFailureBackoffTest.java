package dev.c1m.nio;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.bench.ChildJvm;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reactor server process runs out of descriptors (a real EMFILE, under {@code prlimit}): its
 * acceptor must pause with chapter 1's {@code AcceptBackoff} (5 ms doubling to 1 s) instead of
 * spinning on a listener that stays readable, keep serving the connections it has, and resume
 * accepting the backlog once descriptors free up.
 */
@Timeout(60)
class AcceptFailureBackoffTest {

    /** An idle reactor JVM holds about 15 descriptors here; the rest go to connections. */
    private static final int DESCRIPTOR_LIMIT = 48;
    private static final int CLIENTS = 60;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern STATUS = Pattern.compile("failures=(\\d+) accepted=(\\d+)");

    @Test
    void pausesOnEmfileInsteadOfSpinningKeepsServingAndResumesWhenDescriptorsFree() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to lower the limit");

        try (ChildJvm server = ChildJvm.start(List.of("/usr/bin/prlimit", "--nofile=" + DESCRIPTOR_LIMIT),
                List.of("-Xmx64m"), EmfileReactorMain.class)) {
            int port = Integer.parseInt(server.awaitLine("listening on (\\d+)", Duration.ofSeconds(20)).group(1));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    LineClient client = LineClient.connect(address, TIMEOUT);
                    clients.add(client);
                    client.send("hello " + i);
                }
                server.awaitLine("failures=[1-9]", Duration.ofSeconds(20));
                long firstFailureNanos = System.nanoTime();
                int accepted = (int) lastStatus(server)[1];
                assertThat(accepted).as("connections accepted before EMFILE").isBetween(1, CLIENTS - 1);
                for (int i = 0; i < accepted; i++) { // the server keeps serving what it holds
                    assertThat(clients.get(i).readLine()).isEqualTo("echo: hello " + i);
                }

                Thread.sleep(1_500); // real time: the backoff's own schedule is what is under test
                long elapsedMillis = (System.nanoTime() - firstFailureNanos) / 1_000_000;
                long failures = lastStatus(server)[0];
                // Pauses of 5, 10, 20, ... ms (capped at 1 s) allow one failed accept per pause:
                // at most about log2(elapsed / 5 ms) + 2 of them. A spinning acceptor makes millions.
                long bound = 64 - Long.numberOfLeadingZeros(elapsedMillis / 5 + 1) + 2 + elapsedMillis / 1_000;
                assertThat(failures).as("failed accepts in %d ms", elapsedMillis).isBetween(2L, bound);
                assertThat(lastStatus(server)[1]).as("nothing accepted while out of descriptors").isEqualTo(accepted);

                for (int i = 0; i < 10; i++) {
                    clients.get(i).close(); // frees ten descriptors in the server
                }
                LineClient firstWaiting = clients.get(accepted);
                firstWaiting.socket().setSoTimeout((int) TIMEOUT.toMillis()); // at most one 1 s pause away
                try {
                    assertThat(firstWaiting.readLine()).isEqualTo("echo: hello " + accepted);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the backlog was not served; server output:\n" + server.output(), e);
                }
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (LineClient client : clients) {
                    client.close();
                }
            }
        }
    }

    /** {failures, accepted} from the child's last status line. */
    private static long[] lastStatus(ChildJvm server) {
        Matcher last = null;
        for (String line : server.output().split("\n")) {
            Matcher matcher = STATUS.matcher(line);
            if (matcher.find()) {
                last = matcher;
            }
        }
        if (last == null) {
            throw new AssertionError("no status line yet:\n" + server.output());
        }
        return new long[] {Long.parseLong(last.group(1)), Long.parseLong(last.group(2))};
    }
}
