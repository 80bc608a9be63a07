package dev.c1m.tuning;

/**
 * What the readiness doctor checks the machine against.
 *
 * @param connections             concurrent TCP connections wanted
 * @param bothEndsHere            server and load generator on this machine (every connection then
 *                                costs two sockets and two descriptors here), as in the course's runs
 * @param kernelBytesPerSocket    kernel memory of one idle socket (struct sock, file, inode, dentry,
 *                                epoll entry); measured by {@code bench.SocketMemoryCost}
 * @param heapBytesPerConnection  the server's heap per connection after a full GC
 * @param bytesPerProcess         fixed cost of one more JVM (heap floor, metaspace, code cache, threads)
 * @param reservedDescriptors     descriptors a process keeps for itself (jars, listeners, pipes)
 */
public record ReadinessTarget(long connections, boolean bothEndsHere, long kernelBytesPerSocket,
                              long heapBytesPerConnection, long bytesPerProcess, int reservedDescriptors) {

    /** Measured on this course's machine: see the chapter README's knob table. */
    public static final long MEASURED_KERNEL_BYTES_PER_SOCKET = 5_200;
    /** Part 2's budget for the server's heap per connection. */
    public static final long HEAP_BYTES_PER_CONNECTION = 768;
    /** A small JVM (-Xmx64m, Serial GC, C1 only) at rest, measured as RSS. */
    public static final long BYTES_PER_PROCESS = 64L << 20;
    /** What a server process keeps for itself: jars, the selector, pipes, the metrics endpoint. */
    public static final int RESERVED_DESCRIPTORS = 200;

    public static ReadinessTarget of(long connections, boolean bothEndsHere) {
        return new ReadinessTarget(connections, bothEndsHere, MEASURED_KERNEL_BYTES_PER_SOCKET,
                HEAP_BYTES_PER_CONNECTION, BYTES_PER_PROCESS, RESERVED_DESCRIPTORS);
    }

    /** Sockets this machine holds: two per connection when both ends are here. */
    public long sockets() {
        return bothEndsHere ? 2 * connections : connections;
    }
}
