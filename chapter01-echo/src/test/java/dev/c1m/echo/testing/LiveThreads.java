package dev.c1m.echo.testing;

import java.util.List;

/** The live threads of this JVM, to check that a server left none of its own behind. */
public final class LiveThreads {

    private LiveThreads() {
    }

    /** Names of live threads whose name starts with {@code prefix}. */
    public static List<String> namedLike(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .sorted()
                .toList();
    }
}
