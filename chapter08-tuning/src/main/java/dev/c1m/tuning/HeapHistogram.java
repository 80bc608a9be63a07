package dev.c1m.tuning;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * This JVM's class histogram after a full GC, the text {@code jcmd <pid> GC.class_histogram}
 * prints, obtained from inside the JVM through the platform's {@code DiagnosticCommand} MBean.
 *
 * <p>Why not {@code jcmd}: the C1M run takes a census of 53 workers while they hold a million
 * connections, and each {@code jcmd} is a JVM started and attached on a machine whose two cores
 * are already busy. In one run that census took 375 s and disturbed the heartbeats it was
 * measuring next to; asked over a worker's own metrics endpoint, it costs each worker one full
 * GC of its small heap and nothing else. Stateless; any thread.
 */
public final class HeapHistogram {

    private HeapHistogram() {
    }

    /** The histogram text (one full GC first, as {@code jcmd} does); see {@code ProcessMeter.parseHistogram}. */
    public static String ofThisJvm() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("the DiagnosticCommand MBean did not answer", e);
        }
    }
}
