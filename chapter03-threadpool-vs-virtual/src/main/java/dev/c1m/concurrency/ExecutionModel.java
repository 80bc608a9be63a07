package dev.c1m.concurrency;

import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The three ways to run one blocking handler per connection, as executors for chapter 1's
 * {@code TcpServer}: the server, the protocol and the handler stay the same, only the executor
 * changes.
 *
 * <ul>
 *   <li>{@link #PLATFORM_THREAD} ({@code thread}): a new OS thread per connection. Simple and
 *       fair; each connection costs an OS thread (a stack of up to 1 MiB reserved, tens of KiB
 *       touched, a kernel task) and creating one takes tens of microseconds.</li>
 *   <li>{@link #FIXED_POOL} ({@code pool}): {@code poolThreads} platform threads, a bounded queue
 *       of {@code queueCapacity} accepted connections waiting for a thread, and an explicit
 *       rejection policy (abort; the server then closes the refused socket). A connection
 *       occupies its thread for its whole life, so connection {@code poolThreads + 1} waits in
 *       the queue, unserved, until another one leaves: the pool's failure mode for long-lived
 *       connections.</li>
 *   <li>{@link #VIRTUAL_THREAD} ({@code virtual}): a new virtual thread per connection; blocked
 *       virtual threads are parked on the heap and the JDK's poller wakes them, so a few carrier
 *       threads serve any number of connections.</li>
 * </ul>
 *
 * <p>Stateless; each call to {@link #executor} returns a new executor, which the server then owns.
 */
public enum ExecutionModel {

    PLATFORM_THREAD("thread"),
    FIXED_POOL("pool"),
    VIRTUAL_THREAD("virtual");

    private final String optionName;

    ExecutionModel(String optionName) {
        this.optionName = optionName;
    }

    /** The name used on the command line: {@code thread}, {@code pool} or {@code virtual}. */
    public String optionName() {
        return optionName;
    }

    /** The model named {@code name} on the command line. */
    public static ExecutionModel fromOptionName(String name) {
        for (ExecutionModel model : values()) {
            if (model.optionName.equals(name.toLowerCase(Locale.ROOT))) {
                return model;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': use thread, pool or virtual");
    }

    /**
     * A new connection executor of this model. {@code poolThreads} and {@code queueCapacity}
     * matter only for {@link #FIXED_POOL}.
     */
    public ExecutorService executor(int poolThreads, int queueCapacity) {
        return switch (this) {
            case PLATFORM_THREAD -> Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("platform-conn-", 1).factory());
            case FIXED_POOL -> fixedPool(poolThreads, queueCapacity);
            case VIRTUAL_THREAD -> Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("virtual-conn-", 1).factory());
        };
    }

    /**
     * {@code threads} platform threads, never retired, in front of a queue of
     * {@code queueCapacity}; a task that finds the queue full is refused with a
     * {@link java.util.concurrent.RejectedExecutionException} (the abort policy).
     *
     * <p>The threads start on demand, one per task until there are {@code threads} of them, and
     * are deliberately not prestarted: a prestarted pool hands every task over through the queue,
     * so a burst can find a small queue full, and be refused, while a thread is still idle.
     */
    public static ThreadPoolExecutor fixedPool(int threads, int queueCapacity) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), Thread.ofPlatform().name("fixed-pool-", 1).factory(),
                new ThreadPoolExecutor.AbortPolicy());
    }
}
