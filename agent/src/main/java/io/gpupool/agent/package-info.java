/** gpupool agent. */
package io.gpupool.agent;
