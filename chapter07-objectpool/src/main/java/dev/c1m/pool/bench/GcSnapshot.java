package dev.c1m.pool.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the collectors have done so far in this JVM, from {@link GarbageCollectorMXBean}s, and
 * how many heap bytes all threads have allocated ({@code com.sun.management.ThreadMXBean}).
 *
 * <p>The beans differ by collector, so they are classified by name. G1 reports its pauses in
 * "G1 Young Generation" and "G1 Old Generation" (collections = pauses) and its concurrent cycles
 * in "G1 Concurrent GC" (concurrent work, not a pause). Generational ZGC reports
 * "ZGC Minor/Major Cycles" (concurrent collections) and "ZGC Minor/Major Pauses" (its short
 * stop-the-world phases). So: pause time = beans named "...Pauses", or, for collectors without
 * such beans, every bean that is not "Cycles" or "Concurrent"; collections = "Cycles" beans if
 * there are any, else the pause beans.
 *
 * @param collections   garbage collections (G1: young and mixed/full pauses; ZGC: cycles)
 * @param pauseMillis   total stop-the-world time reported by the beans
 * @param allocatedBytes heap bytes allocated by all threads, live and dead
 */
public record GcSnapshot(long collections, long pauseMillis, long allocatedBytes) {

    public static GcSnapshot now() {
        long pauseBeanCount = 0;
        long cycleCount = 0;
        long pauses = 0;
        boolean hasCycleBeans = false;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = bean.getName();
            if (name.contains("Cycles")) {
                hasCycleBeans = true;
                cycleCount += bean.getCollectionCount();
            } else if (name.contains("Pauses") || !name.contains("Concurrent")) {
                pauseBeanCount += bean.getCollectionCount();
                pauses += bean.getCollectionTime();
            }
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return new GcSnapshot(hasCycleBeans ? cycleCount : pauseBeanCount, pauses,
                threads.getTotalThreadAllocatedBytes());
    }

    public GcSnapshot minus(GcSnapshot earlier) {
        return new GcSnapshot(collections - earlier.collections, pauseMillis - earlier.pauseMillis,
                allocatedBytes - earlier.allocatedBytes);
    }
}
