// Applications sparkop's tests run on the real node besides SparkPi, in the image's examples jar.
package dev.sparkop.examples

import org.apache.spark.sql.SparkSession

/** Runs one small job, then throws: a failing user program (spark-submit exits with code 1, the driver pod fails). */
object Fails {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().appName("Fails").getOrCreate()
    val n = spark.sparkContext.parallelize(1 to 100, 2).count()
    throw new IllegalStateException(s"sparkop example failure after counting $n rows")
  }
}

/**
 * A load that rises and falls, for dynamic allocation: a job of `tasks` tasks that each sleep `taskSeconds`
 * (a backlog, so executors are added), then `idleSeconds` without work (idle executors are removed), then the end.
 * Arguments: tasks (default 8), taskSeconds (default 4), idleSeconds (default 30).
 */
object Waves {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().appName("Waves").getOrCreate()
    val tasks = if (args.length > 0) args(0).toInt else 8
    val taskSeconds = if (args.length > 1) args(1).toInt else 4
    val idleSeconds = if (args.length > 2) args(2).toInt else 30
    val done = spark.sparkContext
      .parallelize(1 to tasks, tasks)
      .map { i => Thread.sleep(taskSeconds * 1000L); i }
      .count()
    println(s"Waves: $done tasks done; idle for $idleSeconds s")
    Thread.sleep(idleSeconds * 1000L)
    spark.stop()
  }
}
