/** gpupool controller. */
package io.gpupool.controller;
