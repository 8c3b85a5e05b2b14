package com.amazonaws.services.lambda.runtime;

/** Test stand-in for aws-lambda-java-core's Client. */
public interface Client {
    String getInstallationId();

    String getAppTitle();

    String getAppVersionName();

    String getAppVersionCode();

    String getAppPackageName();
}
