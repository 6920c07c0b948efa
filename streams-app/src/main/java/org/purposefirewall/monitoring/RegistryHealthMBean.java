package org.purposefirewall.monitoring;

/** JMX view of the schema registry as the firewall sees it ({@code org.purposefirewall:type=SchemaRegistry}). */
public interface RegistryHealthMBean {

    /** False while calls to the registry fail; true once one succeeds again. */
    boolean isAvailable();

    /** Registry calls that found no registry answering, since start. */
    long getUnavailableTotal();

    /** Times the firewall waited and retried a record because the registry was unreachable. */
    long getRetriesTotal();

    /** Stream threads replaced after an outage outlasted {@code processing.registry-outage-max-block-ms}. */
    long getThreadReplacementsTotal();
}
