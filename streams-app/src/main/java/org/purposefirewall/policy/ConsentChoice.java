package org.purposefirewall.policy;

/** A user's recorded choice for one purpose (and the purposes below it). */
public enum ConsentChoice {
    GRANTED,
    DENIED
}
