package dev.c1m.lifecycle;

import dev.c1m.echo.LineClient;
import dev.c1m.echo.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static dev.c1m.echo.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class LimitsReloaderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ServerLimits FIRST =
            new ServerLimits(Duration.ofSeconds(10), Duration.ofSeconds(10), 1024, Duration.ofSeconds(5));
    private static final ServerLimits SECOND =
            new ServerLimits(Duration.ofSeconds(1), Duration.ofSeconds(10), 1024, Duration.ofSeconds(5));

    @TempDir
    Path directory;

    @Test
    void appliesAChangedFile() throws Exception {
        Path file = write(FIRST.toProperties());
        LimitsReloader reloader = LimitsReloader.load(file);
        assertThat(reloader.get()).isEqualTo(FIRST);

        replace(file, SECOND.toProperties());

        assertThat(reloader.reloadIfChanged()).isTrue();
        assertThat(reloader.get()).isEqualTo(SECOND);
        assertThat(reloader.reloadIfChanged()).as("nothing new the second time").isFalse();
    }

    @Test
    void aBrokenFileChangesNothingAndSaysWhy() throws Exception {
        Path file = write(FIRST.toProperties());
        LimitsReloader reloader = LimitsReloader.load(file);

        replace(file, "idle.timeout.ms=soon\n");

        assertThat(reloader.reloadIfChanged()).isFalse();
        assertThat(reloader.get()).isEqualTo(FIRST);
        assertThat(reloader.lastRejection())
                .contains(file.toAbsolutePath().toString())
                .contains("idle.timeout.ms must be a whole number, got 'soon'")
                .contains("keeping " + FIRST);
    }

    @Test
    void aFileCaughtEmptyBetweenTruncationAndWriteChangesNothing() throws Exception {
        Path file = write(FIRST.toProperties());
        LimitsReloader reloader = LimitsReloader.load(file);

        Files.writeString(file, "");

        assertThat(reloader.reloadIfChanged()).isFalse();
        assertThat(reloader.get()).isEqualTo(FIRST);
        assertThat(reloader.lastRejection()).contains("no settings");
    }

    @Test
    void aFixedFileAfterABrokenOneIsApplied() throws Exception {
        Path file = write(FIRST.toProperties());
        LimitsReloader reloader = LimitsReloader.load(file);
        replace(file, "max.line.bytes=-1\n");
        reloader.reloadIfChanged();

        replace(file, SECOND.toProperties());

        assertThat(reloader.reloadIfChanged()).isTrue();
        assertThat(reloader.get()).isEqualTo(SECOND);
    }

    @Test
    void refusesToStartFromAnInvalidFile() throws Exception {
        Path file = write("grace=5\n");

        assertThatThrownBy(() -> LimitsReloader.load(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key(s) [grace]");
    }

    @Test
    void theWatchServiceNoticesAChange() throws Exception {
        Path file = write(FIRST.toProperties());
        try (LimitsReloader reloader = LimitsReloader.load(file)) {
            // A poll interval far longer than the wait: only a watch event can explain the reload.
            reloader.startWatching(LimitsReloader.Mode.WATCH_SERVICE_AND_POLLING, Duration.ofMinutes(5));
            awaitWatching();

            replace(file, SECOND.toProperties());

            until("the watcher applied the change", WAIT, () -> reloader.get().equals(SECOND));
        }
    }

    @Test
    void pollingAloneNoticesAChange() throws Exception {
        Path file = write(FIRST.toProperties());
        try (LimitsReloader reloader = LimitsReloader.load(file)) {
            reloader.startWatching(LimitsReloader.Mode.POLLING, Duration.ofMillis(20));

            replace(file, SECOND.toProperties());

            until("the poller applied the change", WAIT, () -> reloader.get().equals(SECOND));
        }
    }

    @Test
    void aChangedIdleTimeoutAppliesToConnectionsAcceptedAfterwards() throws Exception {
        Path file = write(FIRST.toProperties());
        ManualClock clock = new ManualClock();
        try (LimitsReloader reloader = LimitsReloader.load(file);
             LifecycleServer server = LifecycleServer.start("reload",
                     TcpServer.bind(new InetSocketAddress("127.0.0.1", 0), 0), reloader, clock, Duration.ofMillis(10));
             LineClient before = LineClient.connect(server.localAddress(), WAIT)) {
            until("first connection accepted", WAIT, () -> server.tracker().active() == 1);
            replace(file, SECOND.toProperties());
            assertThat(reloader.reloadIfChanged()).isTrue();

            try (LineClient after = LineClient.connect(server.localAddress(), WAIT)) {
                until("second connection accepted", WAIT, () -> server.tracker().active() == 2);
                clock.advance(Duration.ofSeconds(2));

                assertThat(after.readLine()).as("closed under the new 1 s idle timeout").isNull();
                assertThat(server.tracker().closedFor(CloseReason.IDLE_TIMEOUT)).isEqualTo(1);
                long wakeups = server.tracker().snapshot().getFirst().wakeups();
                until("the first connection checked again", WAIT,
                        () -> server.tracker().snapshot().getFirst().wakeups() >= wakeups + 2);
                assertThat(before.request("still here")).as("kept under the old 10 s").isEqualTo("echo: still here");
            }
        }
    }

    private Path write(String text) throws IOException {
        return Files.writeString(directory.resolve("limits.properties"), text);
    }

    /** Replaces the file atomically, as an operator should (write a temporary file, rename it). */
    private void replace(Path file, String text) throws IOException {
        Path temporary = Files.writeString(directory.resolve("limits.properties.tmp"), text);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The watcher registers its directory asynchronously; a change made before that would be missed. */
    private static void awaitWatching() throws InterruptedException {
        until("the watcher thread is waiting", WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("limits-reloader") && t.getState() == Thread.State.TIMED_WAITING));
    }
}
