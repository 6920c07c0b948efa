package org.purposefirewall.registry;

/** The subject has no registered versions. Registry error code 40401. */
public class SubjectNotFoundException extends SchemaRegistryException {

    public static final int ERROR_CODE = 40401;

    public SubjectNotFoundException(String message) {
        super(ERROR_CODE, message);
    }
}
