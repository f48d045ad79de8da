// Minimal typings of the ml-* packages that ship none (used by the evaluation baselines).
declare module 'ml-knn' {
  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number });
    predict(dataset: number[][]): number[];
  }
}
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    classifiers: { testScores(x: Matrix): number[] }[];
    train(x: Matrix, y: Matrix): void;
    predict(x: Matrix): number[];
  }
}
