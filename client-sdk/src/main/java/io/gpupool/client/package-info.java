/** gpupool client-sdk. */
package io.gpupool.client;
