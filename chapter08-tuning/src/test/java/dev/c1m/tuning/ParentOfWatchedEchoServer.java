package dev.c1m.tuning;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.EchoServerMain;

import java.time.Duration;
import java.util.List;

/**
 * For {@link ExitWithParentTest}: a parent process that starts chapter 1's echo server under
 * {@link ExitWithParent#main}, as {@code BacklogBurst} does, prints
 * {@code server <pid> listening on <port>}, and waits to be killed.
 */
public final class ParentOfWatchedEchoServer {

    private ParentOfWatchedEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm server = ChildJvm.start(List.of(), List.of("-Xmx32m"), ExitWithParent.class,
                EchoServerMain.class.getName(), "--port", "0");
        String port = server.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(30)).group(1);
        System.out.println("server " + server.pid() + " listening on " + port);
        Thread.sleep(Duration.ofMinutes(5)); // until the test kills this process
    }
}
