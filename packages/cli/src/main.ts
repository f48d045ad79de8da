console.log('spinefea');
