package dev.c1m.tuning;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.testing.Await;
import dev.c1m.tuning.demo.C1mServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** A supervised child ends with its parent, however the parent ends. */
@Timeout(90)
class ExitWithParentTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void workersDrainTheirConnectionsAndExitWhenTheirSupervisorIsKilled() throws Exception {
        try (ChildJvm supervisor = ChildJvm.start(List.of(), List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"),
                C1mServerMain.class, "--workers", "2", "--port", "0", "--metrics-port", "0")) {
            Matcher started = supervisor.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+) with 2 worker\\(s\\) \\[(\\d+), (\\d+)]", TIMEOUT);
            int port = Integer.parseInt(started.group(1));
            List<ProcessHandle> workers = List.of(worker(started.group(2)), worker(started.group(3)));
            try (LineClient client = LineClient.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT)) {
                assertThat(client.request("PING 1 7")).isEqualTo("PONG 1 7");

                ProcessHandle.of(supervisor.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no hook runs

                assertThat(client.readLine()).as("the worker drained: end of stream, no reset").isNull();
                Await.until("both workers exited", TIMEOUT, () -> workers.stream().noneMatch(ProcessHandle::isAlive));
            } finally {
                workers.forEach(ProcessHandle::destroyForcibly); // orphans, if the test failed
            }
        }
    }

    @Test
    void aServerWithoutAnExitOptionOfItsOwnEndsWithItsParentWhenRunUnderTheLauncher() throws Exception {
        try (ChildJvm parent = ChildJvm.start(List.of(), List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"),
                ParentOfWatchedEchoServer.class)) {
            Matcher started = parent.awaitLine("server (\\d+) listening on (\\d+)", TIMEOUT);
            ProcessHandle server = worker(started.group(1));
            try (LineClient client = LineClient.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(started.group(2))), TIMEOUT)) {
                assertThat(client.request("hello")).isEqualTo("echo: hello");

                ProcessHandle.of(parent.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no hook runs

                Await.until("the server exited", TIMEOUT, () -> !server.isAlive());
            } finally {
                server.destroyForcibly(); // an orphan, if the test failed
            }
        }
    }

    private static ProcessHandle worker(String pid) {
        return ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
    }

    @Test
    void drainingReadsUntilTheEndOfTheInputAndIgnoresWhatItSays() {
        CountingInput in = new CountingInput(new byte[1000]);

        ExitWithParent.drain(in);

        assertThat(in.consumed).isEqualTo(1000);
    }

    @Test
    void aFailingInputCountsAsAnEndedOne() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Broken pipe");
            }
        };

        assertThatCode(() -> ExitWithParent.drain(broken)).doesNotThrowAnyException();
    }

    private static final class CountingInput extends ByteArrayInputStream {
        int consumed;

        CountingInput(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            consumed += Math.max(n, 0);
            return n;
        }
    }
}
