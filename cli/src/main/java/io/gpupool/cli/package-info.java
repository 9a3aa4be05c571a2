/** gpupool cli. */
package io.gpupool.cli;
