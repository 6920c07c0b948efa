package org.purposefirewall.registry;

/** The subject's compatibility rules reject the schema. Registry error code 409. */
public class IncompatibleSchemaException extends SchemaRegistryException {

    public static final int ERROR_CODE = 409;

    public IncompatibleSchemaException(String message) {
        super(ERROR_CODE, message);
    }
}
